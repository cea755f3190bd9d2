/**
 * The playground page: pick a model, chat with streamed tokens, see each answer's tokens, latency
 * and cost, add documents to a collection and ask grounded questions with clickable citations.
 * Plain DOM, no framework: the bundle stays small and nothing here is rendered as HTML (text only),
 * so a model's answer can never inject markup.
 */
import { createGraphClient, GraphClientError, type GraphClient } from "../../../packages/client/src/index.js";
import { CollectionsQuery, CompletionStreamSubscription, CreateCollectionMutation, DocumentsQuery, IngestDocumentMutation, ModelsQuery, type Citation, type FinishedCompletion } from "./operations.js";

const keyStorage = "ai-graph-playground-key";

function element<Type extends HTMLElement>(id: string): Type {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing from the page`);
  return found as Type;
}

const ui = {
  connect: element<HTMLFormElement>("connect"),
  apiKey: element<HTMLInputElement>("api-key"),
  disconnect: element<HTMLButtonElement>("disconnect"),
  usage: element<HTMLSpanElement>("usage"),
  model: element<HTMLSelectElement>("model"),
  collection: element<HTMLSelectElement>("collection"),
  collectionForm: element<HTMLFormElement>("collection-form"),
  collectionName: element<HTMLInputElement>("collection-name"),
  embeddingModel: element<HTMLSelectElement>("embedding-model"),
  newCollection: element<HTMLDetailsElement>("new-collection"),
  documentForm: element<HTMLFormElement>("document-form"),
  documentTitle: element<HTMLInputElement>("document-title"),
  documentContent: element<HTMLTextAreaElement>("document-content"),
  ingest: element<HTMLButtonElement>("ingest"),
  ingestStatus: element<HTMLSpanElement>("ingest-status"),
  documents: element<HTMLUListElement>("documents"),
  thread: element<HTMLOListElement>("thread"),
  emptyState: element<HTMLLIElement>("empty-state"),
  composer: element<HTMLFormElement>("composer"),
  prompt: element<HTMLTextAreaElement>("prompt"),
  send: element<HTMLButtonElement>("send"),
  stop: element<HTMLButtonElement>("stop"),
  error: element<HTMLParagraphElement>("error"),
};

interface Turn {
  role: "USER" | "ASSISTANT";
  content: string;
}

let graph: GraphClient | undefined;
let conversation: Turn[] = [];
let running: AbortController | undefined;

function showError(error: unknown): void {
  const message = error instanceof GraphClientError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = "";
}

function option(value: string, label: string): HTMLOptionElement {
  const created = document.createElement("option");
  created.value = value;
  created.textContent = label;
  return created;
}

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency, maximumSignificantDigits: 3 }).format(amount);
}

function chip(text: string, name: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = "chip";
  span.dataset.metric = name;
  span.textContent = text;
  return span;
}

async function connect(apiKey: string): Promise<void> {
  void graph?.close();
  // The typed client package (packages/client): queries and mutations over HTTP, streams over
  // graphql-ws, to the gateway that served this page.
  graph = createGraphClient({ url: new URL("/graphql", location.href).href, apiKey, transport: "ws" });
  const data = await graph.request(ModelsQuery);
  sessionStorage.setItem(keyStorage, apiKey);
  const models = data.models?.nodes ?? [];
  const chatModels = models.filter((model) => model.capabilities.includes("CHAT"));
  const embeddingModels = models.filter((model) => model.capabilities.includes("EMBEDDING"));
  ui.model.replaceChildren(...chatModels.map((model) => option(model.id, `${model.displayName} · ${model.id}`)));
  ui.embeddingModel.replaceChildren(...embeddingModels.map((model) => option(model.id, model.displayName)));
  ui.model.disabled = chatModels.length === 0;
  if (chatModels.length === 0) ui.model.replaceChildren(option("", "No chat model in the registry"));
  ui.prompt.disabled = chatModels.length === 0;
  ui.send.disabled = chatModels.length === 0;
  ui.collection.disabled = false;
  ui.connect.hidden = true;
  ui.disconnect.hidden = false;
  showUsage(data.quota?.currentUse ?? null);
  await loadCollections();
  ui.prompt.focus();
}

function showUsage(use: { tokensToday: number; costThisMonth: number } | null): void {
  ui.usage.textContent = use === null ? "" : `${use.tokensToday.toLocaleString()} tokens today`;
}

async function loadCollections(selected?: string): Promise<void> {
  if (graph === undefined) return;
  const { collections } = await graph.request(CollectionsQuery);
  ui.collection.replaceChildren(option("", "No grounding"), ...(collections ?? []).map((collection) => option(collection.id, `${collection.name} (${collection.documentCount})`)));
  if (selected !== undefined) ui.collection.value = selected;
  await loadDocuments();
}

async function loadDocuments(): Promise<void> {
  const collectionId = ui.collection.value;
  ui.ingest.disabled = collectionId === "";
  if (graph === undefined || collectionId === "") {
    ui.documents.replaceChildren();
    return;
  }
  const { collection } = await graph.request(DocumentsQuery, { id: collectionId });
  ui.documents.replaceChildren(
    ...(collection?.documents?.nodes ?? []).map((item) => {
      const entry = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = item.title ?? item.source;
      const detail = document.createElement("span");
      detail.textContent = item.status === "READY" ? `${item.chunkCount} chunks` : item.status.toLowerCase();
      entry.append(name, detail);
      return entry;
    }),
  );
}

function addMessage(role: "user" | "assistant", text: string): { item: HTMLLIElement; bubble: HTMLDivElement } {
  ui.emptyState.remove();
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.textContent = text;
  item.append(bubble);
  ui.thread.append(item);
  item.scrollIntoView({ block: "end" });
  return { item, bubble };
}

function renderCitations(item: HTMLLIElement, citations: readonly (Citation | null)[]): void {
  const present = citations.filter((citation): citation is Citation => citation !== null);
  if (present.length === 0) return;
  const row = document.createElement("div");
  row.className = "citations";
  const detail = document.createElement("div");
  detail.className = "citation-text";
  detail.hidden = true;
  citations.forEach((citation, position) => {
    if (citation === null) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "citation";
    button.textContent = `[${position + 1}] ${citation.document.title ?? citation.document.source}`;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") === "true";
      for (const other of row.querySelectorAll("button")) other.setAttribute("aria-expanded", "false");
      if (open) {
        detail.hidden = true;
        return;
      }
      button.setAttribute("aria-expanded", "true");
      const source = document.createElement("cite");
      source.textContent = [citation.document.source, ...citation.headingPath].join(" › ");
      detail.replaceChildren(source, document.createTextNode(citation.text));
      detail.hidden = false;
    });
    row.append(button);
  });
  item.append(row, detail);
}

function renderMeta(item: HTMLLIElement, completion: FinishedCompletion): void {
  const meta = document.createElement("div");
  meta.className = "meta";
  const { promptTokens, completionTokens, estimated } = completion.usage;
  meta.append(chip(`${promptTokens + completionTokens} tokens${estimated ? " (est.)" : ""}`, "tokens"));
  if (completion.timeToFirstTokenMillis !== null) meta.append(chip(`first token ${Math.round(completion.timeToFirstTokenMillis)} ms`, "ttft"));
  meta.append(chip(`${(completion.latencyMillis / 1000).toFixed(1)} s`, "latency"));
  if (completion.cost !== null) meta.append(chip(money(completion.cost.amount, completion.cost.currency), "cost"));
  if (completion.finishReason !== "STOP") meta.append(chip(completion.finishReason.toLowerCase(), "finish"));
  item.append(meta);
}

async function send(text: string): Promise<void> {
  if (graph === undefined || text.trim() === "") return;
  clearError();
  conversation.push({ role: "USER", content: text });
  addMessage("user", text);
  const { item, bubble } = addMessage("assistant", "");
  item.classList.add("streaming");
  running = new AbortController();
  ui.send.hidden = true;
  ui.stop.hidden = false;
  let answer = "";
  const collectionId = ui.collection.value;
  const input = {
    model: ui.model.value,
    messages: conversation.map((turn) => ({ role: turn.role, content: turn.content })),
    maxTokens: 256,
    ...(collectionId === "" ? {} : { grounding: { collectionId, topK: 4 } }),
  };
  try {
    for await (const data of graph.subscribe(CompletionStreamSubscription, { input }, { signal: running.signal })) {
      const event = data.completionStream;
      if (event.__typename === "TextDeltaEvent") {
        answer += event.text;
        bubble.textContent = answer;
        item.scrollIntoView({ block: "end" });
      } else if (event.__typename === "TextEndEvent") {
        bubble.textContent = answer;
        renderMeta(item, event.completion);
        renderCitations(item, event.completion.citations);
      }
    }
    conversation.push({ role: "ASSISTANT", content: answer });
  } catch (error) {
    item.classList.add("failed");
    bubble.textContent = answer === "" ? "No answer." : answer;
    showError(error);
    conversation.pop();
  } finally {
    item.classList.remove("streaming");
    running = undefined;
    ui.send.hidden = false;
    ui.stop.hidden = true;
  }
}

ui.connect.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError();
  connect(ui.apiKey.value.trim()).catch(showError);
});

ui.disconnect.addEventListener("click", () => {
  sessionStorage.removeItem(keyStorage);
  void graph?.close();
  graph = undefined;
  location.reload();
});

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.prompt.value;
  ui.prompt.value = "";
  void send(text);
});

ui.prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.stop.addEventListener("click", () => running?.abort());

ui.model.addEventListener("change", () => {
  conversation = [];
});

ui.collection.addEventListener("change", () => {
  loadDocuments().catch(showError);
});

ui.collectionForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (graph === undefined) return;
  clearError();
  graph
    .request(CreateCollectionMutation, { input: { name: ui.collectionName.value.trim(), embeddingModel: ui.embeddingModel.value } })
    .then(async ({ createCollection }) => {
      ui.newCollection.open = false;
      ui.collectionName.value = "";
      await loadCollections(createCollection?.id);
    })
    .catch(showError);
});

ui.documentForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (graph === undefined || ui.collection.value === "") return;
  clearError();
  const title = ui.documentTitle.value.trim();
  const source = `playground/${(title === "" ? "document" : title).toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Date.now()}.md`;
  ui.ingest.disabled = true;
  ui.ingestStatus.textContent = "Embedding…";
  graph
    .request(IngestDocumentMutation, {
      input: { collectionId: ui.collection.value, source, content: ui.documentContent.value, ...(title === "" ? {} : { title }) },
    })
    .then(async ({ ingestDocument }) => {
      ui.ingestStatus.textContent = `Added: ${ingestDocument?.chunkCount ?? 0} chunks.`;
      ui.documentContent.value = "";
      ui.documentTitle.value = "";
      await loadCollections(ui.collection.value);
    })
    .catch((error: unknown) => {
      ui.ingestStatus.textContent = "";
      showError(error);
    })
    .finally(() => {
      ui.ingest.disabled = ui.collection.value === "";
    });
});

const remembered = sessionStorage.getItem(keyStorage);
if (remembered !== null) connect(remembered).catch(showError);
