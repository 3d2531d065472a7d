import type { ProjectionDefinition } from '../projection';
import { activityProjection } from './activity.projection';
import { calendarProjection } from './calendar.projection';
import { complianceProjection } from './compliance.projection';
import { forecastAccuracyProjection } from './forecast-accuracy.projection';
import { forecastsProjection } from './forecasts.projection';
import { fundsProjection } from './funds.projection';
import { ledgerProjection } from './ledger.projection';
import { merchantProfilesProjection } from './merchant-profiles.projection';
import { partiesProjection } from './parties.projection';
import { ruleBookProjection } from './rule-book.projection';
import { transactionsProjection } from './transactions.projection';
import { walletsProjection } from './wallets.projection';

/** Every read model IFW keeps, in the order `/projections` lists them. */
export const READ_MODELS: readonly ProjectionDefinition[] = [
  calendarProjection,
  walletsProjection,
  transactionsProjection,
  ledgerProjection,
  fundsProjection,
  merchantProfilesProjection,
  partiesProjection,
  forecastsProjection,
  forecastAccuracyProjection,
  activityProjection,
  ruleBookProjection,
  complianceProjection(),
];
