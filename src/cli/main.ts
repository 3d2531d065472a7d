#!/usr/bin/env node
import { packageVersion } from '../code-version';
import { EventStoreError } from '../eventstore';
import { ConfigError } from '../config';
import { UnsupportedReadStoreUrlError } from '../projections';
import { RebuildInProgressError } from '../projections/rebuild';
import { ListenError } from '../api/server';
import { EXIT, UsageError } from './cli-error';
import { auditAnchor, auditAnchorHelp } from './commands/audit-anchor';
import { auditReplay, auditReplayHelp } from './commands/audit-replay';
import { auditVerify, auditVerifyHelp } from './commands/audit-verify';
import { backtest, backtestHelp } from './commands/backtest';
import { market, marketHelp } from './commands/market';
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
  { words: ['audit', 'verify'], summary: "verify every hash chain of the event log, the log's own and its snapshots (exit 3 when broken)", help: auditVerifyHelp, run: auditVerify },
  { words: ['audit', 'anchor'], summary: "print the log's head (HASH@POSITION), to keep elsewhere and verify against later", help: auditAnchorHelp, run: auditAnchor },
  { words: ['audit', 'replay'], summary: 'print the event history, whole or of one stream, as of a revision or time', help: auditReplayHelp, run: auditReplay },
  { words: ['simulate'], summary: 'drive the whole product day by day with simulated customers, merchants and market, then report', help: simulateHelp, run: simulate },
  { words: ['market'], summary: 'simulate the money-fund market and merchants alone (simulated data) and summarise them', help: marketHelp, run: market },
  { words: ['backtest'], summary: 'walk-forward backtest of four fund strategies on the simulated market', help: backtestHelp, run: backtest },
];

const HELP_WORDS = ['--help', 'help'];

const USAGE = `ifw: the intelligent financial wallet

usage: ifw <command> [options]   (ifw <command> --help for its options; ifw --version)

${listing(COMMANDS, 0)}`;

function listing(commands: Command[], wordsShared: number): string {
  const names = commands.map((c) => c.words.slice(wordsShared).join(' '));
  const width = Math.max(...names.map((n) => n.length));
  return commands.map((c, i) => `  ${names[i]!.padEnd(width)}  ${c.summary}`).join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(packageVersion());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  return command ? run(command, argv.slice(command.words.length)) : usage(argv);
}

/**
 * No command was named, or only a group of them (\`ifw audit\`): the usage of all commands or of the group,
 * on stdout with status 0 when asked for, else on stderr with status 2, since a script that ran it meant something else.
 */
function usage(argv: string[]): number {
  const group = COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === argv[0]);
  const name = group.length > 0 ? `ifw ${argv[0]}` : 'ifw';
  const text = group.length > 0 ? `usage: ${name} <command> [options]   (${name} <command> --help for its options)\n\n${listing(group, 1)}` : USAGE;
  const rest = argv.slice(group.length > 0 ? 1 : 0);
  if (HELP_WORDS.includes(rest[0] ?? '')) {
    console.log(text);
    return EXIT.ok;
  }
  console.error(`${name}: ${rest.length === 0 ? 'no command given' : `unknown command "${argv.join(' ')}"`}\n\n${text}`);
  return EXIT.usage;
}

async function run(command: Command, rest: string[]): Promise<number> {
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
    if (error instanceof EventStoreError || error instanceof ConfigError || error instanceof UnsupportedReadStoreUrlError || error instanceof RebuildInProgressError || error instanceof ListenError) {
      console.error(`ifw ${command.words.join(' ')}: ${error.message}`);
      return EXIT.failure;
    }
    throw error;
  }
}

if (require.main === module) {
  // A file past the process's size limit (a quota) then fails its write, which the stores answer as a full
  // disk, instead of the signal ending the process mid-commit.
  process.on('SIGXFSZ', () => undefined);
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      // A programmer's error: its stack, and an end, since whatever it left open would keep the process alive.
      console.error(error);
      process.exit(EXIT.failure);
    },
  );
}
