#!/usr/bin/env node
import { EventStoreError } from '../eventstore';
import { ConfigError } from '../config';
import { UnsupportedReadStoreUrlError } from '../projections';
import { RebuildInProgressError } from '../projections/rebuild';
import { EXIT, UsageError } from './cli-error';
import { auditReplay, auditReplayHelp } from './commands/audit-replay';
import { auditVerify, auditVerifyHelp } from './commands/audit-verify';
import { backtest, backtestHelp } from './commands/backtest';
import { projectionsRebuild, projectionsRebuildHelp } from './commands/projections-rebuild';
import { projector, projectorHelp } from './commands/projector';
import { serve, serveHelp } from './commands/serve';
import { simulate, simulateHelp } from './commands/simulate';

interface Command {
  words: string[];
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Command[] = [
  { words: ['serve'], summary: 'serve the HTTP API', help: serveHelp, run: serve },
  { words: ['projector'], summary: 'run the read models in a process of their own', help: projectorHelp, run: projector },
  { words: ['projections', 'rebuild'], summary: 'rebuild read models beside the served ones and switch to them', help: projectionsRebuildHelp, run: projectionsRebuild },
  { words: ['audit', 'verify'], summary: 'verify every hash chain of the event log (exit 3 when broken)', help: auditVerifyHelp, run: auditVerify },
  { words: ['audit', 'replay'], summary: 'print the event history, whole or of one stream, as of a revision or time', help: auditReplayHelp, run: auditReplay },
  { words: ['simulate'], summary: 'simulate the money-fund market and merchants (simulated data) and summarise them', help: simulateHelp, run: simulate },
  { words: ['backtest'], summary: 'walk-forward backtest of four fund strategies on the simulated market', help: backtestHelp, run: backtest },
];

const USAGE = `ifw: the intelligent financial wallet

usage: ifw <command> [options]   (ifw <command> --help for its options)

${COMMANDS.map((c) => `  ${c.words.join(' ').padEnd(16)} ${c.summary}`).join('\n')}`;

export async function main(argv: string[]): Promise<number> {
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (!command) {
    const asked = argv.length === 0 || argv[0] === '--help' || argv[0] === 'help';
    (asked ? console.log : console.error)(asked ? USAGE : `ifw: unknown command "${argv.join(' ')}"\n\n${USAGE}`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  const rest = argv.slice(command.words.length);
  if (rest.includes('--help')) {
    console.log(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`ifw ${command.words.join(' ')}: ${(error as Error).message}\n\n${command.help}`);
      return EXIT.usage;
    }
    if (error instanceof EventStoreError || error instanceof ConfigError || error instanceof UnsupportedReadStoreUrlError || error instanceof RebuildInProgressError) {
      console.error(`ifw ${command.words.join(' ')}: ${error.message}`);
      return EXIT.failure;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = EXIT.failure;
    },
  );
}
