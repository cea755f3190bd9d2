{{/* Labels every object carries: as in k8s/base, plus Helm's own. */}}
{{- define "aigraph.labels" -}}
app.kubernetes.io/part-of: federated-ai-graph
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The image of a service: <imageRegistry><name>:<imageTag>. */}}
{{- define "aigraph.image" -}}
{{ printf "%s%s:%s" .root.Values.imageRegistry .image .root.Values.imageTag }}
{{- end -}}

{{/* Whether a service is inference on a GPU (values-gpu.yaml). */}}
{{- define "aigraph.onGpu" -}}
{{- if and (eq .name "inference") .root.Values.inference.gpu.enabled -}}true{{- end -}}
{{- end -}}
