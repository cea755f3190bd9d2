/**
 * A real Chromium for browser tests: the one on PATH (or CHROMIUM_PATH), else Debian's `chromium`
 * package, installed once with apt-get when the tests run as root (CI); puppeteer-core drives it
 * (it downloads no browser of its own).
 */
import { spawnSync } from "node:child_process";
import { launch, type Browser } from "puppeteer-core";

let installAttempted = false;

function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== "") return configured;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    const path = found.stdout.trim();
    if (found.status === 0 && path !== "") return path;
  }
  return undefined;
}

function installChromium(): string {
  if (installAttempted) throw new Error("Chromium is not installed (installation already failed once)");
  installAttempted = true;
  if (process.getuid?.() !== 0) throw new Error("Chromium is not installed. Install it with `sudo apt-get install chromium`, or set CHROMIUM_PATH.");
  const environment = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env: environment });
  const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env: environment }) : update;
  const path = findChromium();
  if (install.status !== 0 || path === undefined) throw new Error("Chromium is not installed and `apt-get install chromium` failed.");
  return path;
}

/** A headless Chromium; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium() ?? installChromium();
  return launch({
    executablePath,
    headless: true,
    // No sandbox: CI runs tests as root, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}
