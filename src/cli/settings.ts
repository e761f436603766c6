/**
 * Settings of one CLI run that apply to every command, from the global
 * options and the environment (set once by main.ts before the command runs):
 * the debug flag and the standard-input timeout. The input size cap lives
 * with the reader (src/input/read.ts, setMaxInputBytes).
 */
import { DEFAULT_STDIN_TIMEOUT_MS } from './stdin.ts';

export const settings: { debug: boolean; stdinTimeoutMs: number } = {
  debug: false,
  stdinTimeoutMs: DEFAULT_STDIN_TIMEOUT_MS,
};
