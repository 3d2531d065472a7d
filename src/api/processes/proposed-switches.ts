import type { Fen } from '../../domain/money';

export interface ProposedSwitch {
  fromFund: string;
  toFund: string;
  amountFen: Fen;
}

/** Switches of less than this are not worth a redemption and a purchase: one CNY. */
export const MIN_SWITCH_FEN = 100n;
/** At most this many switches from one proposal, as a request may ask for. */
export const MAX_PROPOSED_SWITCHES = 10;

/**
 * The switches that move a wallet from its current holdings to a proposal's targets: each fund above its
 * target gives its surplus, in the proposal's order, to the funds below theirs, largest shortfall first.
 */
export function switchesFor(targets: readonly { fundCode: string; currentFen: Fen; targetFen: Fen }[]): ProposedSwitch[] {
  const surplus = targets.filter((t) => t.currentFen > t.targetFen).map((t) => ({ fundCode: t.fundCode, fen: t.currentFen - t.targetFen }));
  const shortfall = targets
    .filter((t) => t.targetFen > t.currentFen)
    .map((t) => ({ fundCode: t.fundCode, fen: t.targetFen - t.currentFen }))
    .sort((a, b) => (a.fen === b.fen ? a.fundCode.localeCompare(b.fundCode) : a.fen > b.fen ? -1 : 1));
  const switches: ProposedSwitch[] = [];
  let to = 0;
  for (const source of surplus) {
    while (source.fen > 0n && to < shortfall.length && switches.length < MAX_PROPOSED_SWITCHES) {
      const sink = shortfall[to]!;
      const amountFen = source.fen < sink.fen ? source.fen : sink.fen;
      if (amountFen >= MIN_SWITCH_FEN) switches.push({ fromFund: source.fundCode, toFund: sink.fundCode, amountFen });
      source.fen -= amountFen;
      sink.fen -= amountFen;
      if (sink.fen === 0n) to++;
    }
  }
  return switches;
}
