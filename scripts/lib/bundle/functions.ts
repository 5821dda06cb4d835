/** Which Lambda functions exist: one file per function in proxy/functions/, the function name is the file name. */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface LambdaFunctionSource {
  name: string;
  /** Absolute path of the entry file. */
  entry: string;
}

export const DEFAULT_FUNCTIONS_DIR = resolve(import.meta.dirname, '../../../proxy/functions');

// Lambda function names allow letters, digits, hyphens and underscores (CreateFunction FunctionName pattern).
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Every `*.ts` entry in `dir` (tests and declaration files excluded), sorted by name. */
export async function findFunctions(dir = DEFAULT_FUNCTIONS_DIR): Promise<LambdaFunctionSource[]> {
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !/\.(test|spec|d)\.ts$/.test(f.name))
    .map((f) => f.name)
    .sort();
  return files.map((file) => {
    const name = file.slice(0, -'.ts'.length);
    if (!NAME.test(name)) throw new Error(`${join(dir, file)}: "${name}" is not a valid Lambda function name`);
    return { name, entry: join(dir, file) };
  });
}
