/** The `npm start` terminal view of the services' JSON log lines (issue 16, item 3). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessLogMessage } from "../../../platform/logging/access-log.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { formatLogLineForTerminal } from "../../../platform/logging/terminal-format.ts";
import { captureLog } from "./log-capture.ts";

describe("formatLogLineForTerminal", () => {
  it("condenses an access line to one short line", () => {
    const line = JSON.stringify({ level: "warn", time: "2026-12-02T10:00:00.000Z", service: "gateway", requestId: "req-1", method: "POST", operationName: "OneModel", operationType: "query", status: 401, errorCode: "UNAUTHENTICATED", errorCount: 2, durationMillis: 3.2, message: accessLogMessage });
    assert.equal(formatLogLineForTerminal("gateway", line, { color: false }), "gateway        | warn  POST query OneModel 401 3.2ms UNAUTHENTICATED (+1) req=req-1");
  });

  it("shows other lines as message and key=value fields, an error as its cause chain, its stack below error lines", () => {
    const log = captureLog();
    const error = new Error("request failed upstream", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    createLogger("usage", "info", { destination: log }).error("request failed", { error, url: "/graphql" });
    const shown = formatLogLineForTerminal("usage", log.text().trim(), { color: false }).split("\n");
    assert.equal(shown[0], 'usage          | error request failed error="Error: request failed upstream ← Error [ECONNREFUSED]: connect ECONNREFUSED" url=/graphql');
    assert.ok(shown.length > 1 && shown.slice(1).every((frame) => frame.startsWith(" ".repeat(19) + "at ")), shown.join("\n"));
  });

  it("colors the level only when asked, and shows lines that are not JSON as they are", () => {
    const line = JSON.stringify({ level: "info", service: "usage", message: "listening" });
    assert.equal(formatLogLineForTerminal("usage", line, { color: true }), "usage          | \u001b[36minfo \u001b[0m listening");
    assert.equal(formatLogLineForTerminal("inference", "Created tenant", { color: true }), "inference      | Created tenant");
  });
});
