#!/usr/bin/env node
import { packageVersion } from '../code-version';
import { EXIT, UsageError } from './cli-error';

/** What a command's module gives: its help text and its run. */
interface CommandModule {
  help: string;
  run(argv: string[]): Promise<number>;
}

/**
 * A command's module is loaded only when the command runs or its help is asked for: the server's modules take
 * over a second to load, which `ifw --version`, the usage and the audit commands have no use for.
 */
interface Command {
  words: string[];
  summary: string;
  load(): Promise<CommandModule>;
}

const COMMANDS: Command[] = [
  { words: ['serve'], summary: 'serve the HTTP API', load: async () => import('./commands/serve').then((m) => ({ help: m.serveHelp, run: m.serve })) },
  { words: ['projector'], summary: 'run the read models in a process of their own', load: async () => import('./commands/projector').then((m) => ({ help: m.projectorHelp, run: m.projector })) },
  {
    words: ['projections', 'rebuild'],
    summary: 'rebuild read models beside the served ones and switch to them',
    load: async () => import('./commands/projections-rebuild').then((m) => ({ help: m.projectionsRebuildHelp, run: m.projectionsRebuild })),
  },
  {
    words: ['audit', 'verify'],
    summary: "verify every hash chain of the event log, the log's own and its snapshots (exit 3 when broken)",
    load: async () => import('./commands/audit-verify').then((m) => ({ help: m.auditVerifyHelp, run: m.auditVerify })),
  },
  {
    words: ['audit', 'anchor'],
    summary: "print the log's head (HASH@POSITION), to keep elsewhere and verify against later",
    load: async () => import('./commands/audit-anchor').then((m) => ({ help: m.auditAnchorHelp, run: m.auditAnchor })),
  },
  {
    words: ['audit', 'replay'],
    summary: 'print the event history, whole or of one stream, as of a revision or time',
    load: async () => import('./commands/audit-replay').then((m) => ({ help: m.auditReplayHelp, run: m.auditReplay })),
  },
  {
    words: ['simulate'],
    summary: 'drive the whole product day by day with simulated customers, merchants and market, then report',
    load: async () => import('./commands/simulate').then((m) => ({ help: m.simulateHelp, run: m.simulate })),
  },
  {
    words: ['market'],
    summary: 'simulate the money-fund market and merchants alone (simulated data) and summarise them',
    load: async () => import('./commands/market').then((m) => ({ help: m.marketHelp, run: m.market })),
  },
  { words: ['backtest'], summary: 'walk-forward backtest of four fund strategies on the simulated market', load: async () => import('./commands/backtest').then((m) => ({ help: m.backtestHelp, run: m.backtest })) },
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
  const { help, run: runCommand } = await command.load();
  if (rest.includes('--help')) {
    console.log(help);
    return EXIT.ok;
  }
  try {
    return await runCommand(rest);
  } catch (error) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`ifw ${command.words.join(' ')}: ${(error as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    // Loaded on this path alone: the classes come from the server's modules, which a command may not have needed.
    const { isOperatingError } = await import('./operating-errors');
    if (isOperatingError(error)) {
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
