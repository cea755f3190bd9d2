import type { ApolloServerPlugin } from "@apollo/server";
import type { AuditLog } from "../../platform/audit/audit-log.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { GatewayContext } from "../gateway-context.ts";

/**
 * Records every `FORBIDDEN` of an operation as a `ROLE_DENIED` audit event: the subgraphs decide
 * (platform/authorization/), the gateway is the one place that sees every refusal with the caller
 * it came from. The answer waits for the write (an append or one Redis call) so that a client that
 * reads `auditEvents` next sees it, but never depends on it: a failed write is logged as an error
 * (the audit log's own error line keeps the event) and the client still gets its FORBIDDEN.
 */
export function auditDenialsPlugin(audit: AuditLog, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (contextValue.internal === true) return;
      return {
        async didEncounterErrors({ errors, operationName }) {
          const caller = contextValue.request;
          for (const error of errors) {
            if (error.extensions?.code !== ErrorCode.Forbidden) continue;
            const path = error.path?.join(".") ?? operationName ?? "operation";
            const requiredRole = error.extensions.details instanceof Object ? (error.extensions.details as Record<string, unknown>).requiredRole : undefined;
            await audit
              .record({
                tenantId: caller.tenantId,
                actorTenantId: caller.tenantId,
                actorApiKeyId: caller.apiKeyId,
                actorRoles: [...caller.roles],
                action: "ROLE_DENIED",
                targetType: "operation",
                targetId: path.slice(0, 256),
                requestId: caller.requestId,
                details: {
                  operationName: operationName ?? null,
                  requiredRole: typeof requiredRole === "string" ? requiredRole : null,
                  message: error.message.slice(0, 500),
                },
              })
              .catch((auditError: unknown) => logger.error("could not record a role denial in the audit log", { error: auditError, path }));
          }
        },
      };
    },
  };
}
