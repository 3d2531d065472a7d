/**
 * The chart of accounts. Wallet cash and fund positions are what IFW owes its customers; the clearing
 * accounts hold money on its way between IFW and a bank or a fund company and net to zero once a
 * transfer is complete; income and the rounding residual make the daily income distribution balance.
 */
export const ACCOUNTS = {
  /** Money on its way from or to customers' bank cards. */
  bankClearing: 'bank-clearing',
  /** A payment between two wallets, between its debit and its credit (both land in one transaction). */
  paymentsInTransit: 'payments-in-transit',
  walletCash: (walletId: string) => `wallet-cash:${walletId}`,
  /** Confirmed, earning fund shares (NAV 1.00: one fen, one fen-share). */
  fundHolding: (walletId: string, fundCode: string) => `fund-holding:${walletId}:${fundCode}`,
  pendingPurchase: (walletId: string, fundCode: string) => `fund-pending-purchase:${walletId}:${fundCode}`,
  pendingRedemption: (walletId: string, fundCode: string) => `fund-pending-redemption:${walletId}:${fundCode}`,
  /** Money on its way between wallets and the fund company. */
  fundSettlement: (fundCode: string) => `fund-settlement:${fundCode}`,
  /** Income the fund company distributed on IFW's holders, before it is split among them. */
  fundIncome: (fundCode: string) => `fund-income:${fundCode}`,
  /** What rounding each holder's income down to the fen left over. */
  roundingResidual: (fundCode: string) => `rounding-residual:${fundCode}`,
} as const;
