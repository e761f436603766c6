/**
 * Preloaded by scripts/bench-compare.ts (`node --import`) into each benchmark
 * process, of this tree and of the revision alike (it changes neither): at
 * exit it writes the process's CPU time — user and system, every thread of
 * the process (`process.cpuUsage()`, getrusage(RUSAGE_SELF)), so the garbage
 * collector's helper threads count too — as JSON to the file named by
 * FIREBREAK_CPU_USAGE_FILE. On a shared 2-core host CPU time moves less with
 * the other processes' load than wall time does.
 *
 * @example
 *   FIREBREAK_CPU_USAGE_FILE=/tmp/cpu.json node --import ./scripts/cpu-usage.ts src/cli/main.ts bench rehearse --json
 *   // /tmp/cpu.json: {"userSeconds":6.41,"systemSeconds":0.62}
 */
import { writeFileSync } from 'node:fs';

const file = process.env.FIREBREAK_CPU_USAGE_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    const usage = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ userSeconds: usage.user / 1e6, systemSeconds: usage.system / 1e6 }));
  });
}
