/**
 * Test fixture: takes the data-directory lock of `argv[3]` on `argv[2]`, prints `locked`, and
 * holds it until stdin closes (then releases and exits 0). A refusal prints the error's message
 * and exits 78, as a service's start-up does.
 */
import { ConfigurationError } from "../../../platform/config/parse-environment.ts";
import { lockDataDirectory } from "../../../platform/storage/data-directory-lock.ts";

const [dataDirectory, service] = process.argv.slice(2);
if (dataDirectory === undefined || service === undefined) throw new Error("usage: hold-data-directory-lock.ts <dataDirectory> <service>");
try {
  const lock = lockDataDirectory(dataDirectory, service);
  process.stdout.write("locked\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    lock.release();
    process.exit(0);
  });
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78);
}
