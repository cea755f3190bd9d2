/**
 * Issue 15, item 6: the playground page in a real headless Chromium (Debian's package, driven by
 * puppeteer-core) against the stack with the real models: the page loads, a streamed answer appears
 * token by token with its cost and usage, a document is ingested and a grounded answer shows a
 * clickable citation. Screenshots are kept in `test-artifacts/` (git-ignored).
 */
import assert from "node:assert/strict";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { projectRoot } from "../../platform/schema-file.ts";
import { launchChromium } from "../harness/chromium.ts";
import { postGraphQL } from "../harness/post-graphql.ts";
import { provisionRealModelsOrSkip, realEmbeddingModelPath } from "../harness/real-models.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const artifacts = join(projectRoot, "test-artifacts");
const provisioned = await provisionRealModelsOrSkip();

describe("the playground page in Chromium", { skip: provisioned.skip }, () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    const models = provisioned.models;
    if (models === undefined) throw new Error("real models were not provisioned");
    const modelsDirectory = await temporaryDirectory("playground-models");
    await copyFile(await realEmbeddingModelPath(models), join(modelsDirectory, "all-MiniLM-L6-v2.gguf"));
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("playground-stack"), MODELS_DIR: modelsDirectory, PLAYGROUND_ENABLED: "true" });
    const pricing = { inputPerMillionTokens: 0.5, outputPerMillionTokens: 1.5 };
    for (const input of [
      { id: "smollm2", displayName: "SmolLM2 135M Instruct", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: models.chatModelPath }, pricing },
      { id: "minilm", displayName: "MiniLM L6 v2", family: "bert", capabilities: ["EMBEDDING"], embeddingDimensions: 384, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "all-MiniLM-L6-v2.gguf" }, pricing: { inputPerMillionTokens: 0.02, outputPerMillionTokens: 0 } },
    ]) {
      const registered = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", { input });
      assert.deepEqual(registered.body.errors ?? [], []);
    }
    await mkdir(artifacts, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("loads from the gateway with a strict content security policy, and connects with a key", async () => {
    const response = await page.goto(stack.gateway.url, { waitUntil: "networkidle0" });
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
    assert.equal(await page.title(), "AI Graph Playground");
    await page.type("#api-key", stack.memberKey.key);
    await page.click("#connect button");
    await page.waitForFunction(`document.querySelector("#model")?.disabled === false`);
    const models = await page.$$eval("#model option", (options) => options.map((option) => option.getAttribute("value")));
    assert.deepEqual(models, ["smollm2"], "chat models only");
    assert.deepEqual(pageErrors, []);
  });

  it("streams an answer token by token, then shows its tokens, latency and cost", async () => {
    // Record every text the answer bubble shows while it streams.
    // (Browser-side code is passed as source text: this project's TypeScript has no DOM library.)
    await page.evaluate(`{
      const seen = [];
      window.seenTexts = seen;
      new MutationObserver(() => {
        const bubble = document.querySelector(".message.assistant:last-child .bubble");
        if (bubble?.textContent && bubble.textContent !== seen.at(-1)) seen.push(bubble.textContent);
      }).observe(document.querySelector("#thread"), { subtree: true, childList: true, characterData: true });
    }`);
    await page.type("#prompt", "Name three colours of the rainbow.");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".message.assistant .meta [data-metric=cost]", { timeout: 120_000 });
    const seen = (await page.evaluate("window.seenTexts")) as string[];
    assert.ok(seen.length >= 3, `the answer grew in ${seen.length} steps: ${JSON.stringify(seen.slice(0, 5))}`);
    for (let index = 1; index < seen.length; index += 1) assert.ok(seen[index]?.startsWith(seen[index - 1] ?? ""), "each step extends the last");
    const metrics = await page.$$eval(".message.assistant .meta .chip", (chips) => chips.map((chip) => chip.getAttribute("data-metric")));
    assert.ok(metrics.includes("tokens") && metrics.includes("ttft") && metrics.includes("latency") && metrics.includes("cost"), JSON.stringify(metrics));
    assert.equal(await page.$(".message.assistant.streaming"), null, "the caret is gone once the answer ended");
    await page.screenshot({ path: join(artifacts, "playground-chat.png") });
  });

  it("ingests a document into a new collection and cites it in a grounded answer", async () => {
    await page.click("#new-collection summary");
    await page.type("#collection-name", "handbook");
    await page.click("#collection-form button");
    await page.waitForFunction(`document.querySelector("#collection")?.selectedOptions[0]?.textContent?.startsWith("handbook") === true`);
    await page.type("#document-title", "Holiday policy");
    await page.type("#document-content", "# Holidays\n\nEvery employee of Acme gets 30 days of paid holiday per year. Holidays are booked in the staff portal.");
    await page.click("#ingest");
    await page.waitForFunction(`document.querySelector("#ingest-status")?.textContent?.startsWith("Added") === true`, { timeout: 120_000 });
    await page.waitForSelector("#documents li");
    await page.type("#prompt", "How many days of holiday do employees get?");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".message.assistant:last-child .citation", { timeout: 120_000 });
    const citation = await page.$eval(".message.assistant:last-child .citation", (button) => button.textContent);
    assert.match(citation ?? "", /^\[1\] Holiday policy/);
    await page.click(".message.assistant:last-child .citation");
    const cited = await page.$eval(".message.assistant:last-child .citation-text", (detail) => ({ hidden: detail.hasAttribute("hidden"), text: detail.textContent }));
    assert.equal(cited.hidden, false);
    assert.match(cited.text ?? "", /30 days of paid holiday/);
    await page.screenshot({ path: join(artifacts, "playground-grounded.png"), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
