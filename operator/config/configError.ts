// The one error a bad configuration ends in (exit code 2, the message lists every problem). Its
// own module, so that the entry point can name it without loading the schema and its libraries.
export class ConfigError extends Error {
  override name = 'ConfigError';
}
