import type { IsoDate } from '../iso-date';

/*
 * The public holidays of mainland China, 2014 to 2026, as the State Council General Office's annual notice
 * (国务院办公厅关于XXXX年部分节假日安排的通知) and its amendments set them, on which the Shanghai and Shenzhen
 * exchanges close: fund purchases are confirmed and redemptions paid only on exchange trading days.
 *
 * The notices also move working days onto weekends (调休上班) to join a holiday to a weekend. Those are working
 * days for offices, NOT trading days: the exchanges close on every Saturday and Sunday, and their own notices
 * list these days as "周末休市" (closed for the weekend). They are recorded below with `tradingDay: false`
 * for the record only; the trading calendar never reads them.
 *
 * A holiday period runs from `first` to `last` inclusive, the days off the notice names (a notice's "X放假，Y补休"
 * with a weekend between is one period); it may begin in the December before its notice's year. Income accrues
 * on holidays as on every calendar day; only trading stops.
 *
 * Transcribed from the notices linked per year (by way of the holiday-cn project's machine-readable copy of
 * them, github.com/NateScarlet/holiday-cn); the weekdays closed were checked against the Shanghai exchange's
 * closures (its annual 休市安排 notices, and the XSHG calendar of github.com/gerrymanoim/exchange_calendars),
 * which agree on every day but one: the exchanges' extra closure of 2024-02-09. Years outside the range are
 * not covered: there every Monday to Friday is treated as a trading day.
 */

/** The years the data covers; outside them every Monday to Friday is a trading day. */
export const EXCHANGE_HOLIDAYS_COVER = { firstYear: 2014, lastYear: 2026 } as const;

export type HolidayName =
  | "New Year's Day"
  | 'Spring Festival'
  | 'Qingming Festival'
  | 'Labour Day'
  | 'Dragon Boat Festival'
  | 'Mid-Autumn Festival'
  | 'National Day'
  | 'Mid-Autumn Festival and National Day'
  | 'Victory Day, 70th anniversary';

export interface HolidayPeriod {
  readonly holiday: HolidayName;
  readonly first: IsoDate;
  readonly last: IsoDate;
}

/** A weekend day the notice makes a working day for offices; the exchanges stay closed. */
export interface AdjustedWorkingWeekend {
  readonly date: IsoDate;
  readonly holiday: HolidayName;
  readonly tradingDay: false;
}

export interface HolidayYear {
  readonly year: number;
  /** The notices, on www.gov.cn. */
  readonly notices: readonly string[];
  readonly holidays: readonly HolidayPeriod[];
  readonly adjustedWorkingWeekends: readonly AdjustedWorkingWeekend[];
  /** Weekdays the exchanges closed by their own notice although the State Council's did not make them holidays. */
  readonly exchangeOnlyClosures?: readonly { readonly date: IsoDate; readonly holiday: HolidayName }[];
}

/** One entry per notice year, in order. */
export const EXCHANGE_HOLIDAYS: readonly HolidayYear[] = [
  {
    year: 2014,
    // 国务院办公厅关于2014年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2014-01/02/content_1194.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2014-01-01', last: '2014-01-01' },
      { holiday: 'Spring Festival', first: '2014-01-31', last: '2014-02-06' },
      { holiday: 'Qingming Festival', first: '2014-04-05', last: '2014-04-07' },
      { holiday: 'Labour Day', first: '2014-05-01', last: '2014-05-03' },
      { holiday: 'Dragon Boat Festival', first: '2014-06-02', last: '2014-06-02' },
      { holiday: 'Mid-Autumn Festival', first: '2014-09-08', last: '2014-09-08' },
      { holiday: 'National Day', first: '2014-10-01', last: '2014-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2014-01-26', holiday: 'Spring Festival', tradingDay: false },
      { date: '2014-02-08', holiday: 'Spring Festival', tradingDay: false },
      { date: '2014-05-04', holiday: 'Labour Day', tradingDay: false },
      { date: '2014-09-28', holiday: 'National Day', tradingDay: false },
      { date: '2014-10-11', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2015,
    // 国务院办公厅关于2015年部分节假日安排的通知; and 国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年
    // 纪念日调休放假的通知 (2015-05-13), which made 3 September a holiday: 3 to 5 September off, Sunday the 6th worked.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2014-12/16/content_9302.htm', 'http://www.gov.cn/zhengce/zhengceku/2015-05/13/content_9742.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2015-01-01', last: '2015-01-03' },
      { holiday: 'Spring Festival', first: '2015-02-18', last: '2015-02-24' },
      { holiday: 'Qingming Festival', first: '2015-04-05', last: '2015-04-06' },
      { holiday: 'Labour Day', first: '2015-05-01', last: '2015-05-01' },
      { holiday: 'Dragon Boat Festival', first: '2015-06-20', last: '2015-06-22' },
      { holiday: 'Victory Day, 70th anniversary', first: '2015-09-03', last: '2015-09-05' },
      { holiday: 'Mid-Autumn Festival', first: '2015-09-27', last: '2015-09-27' },
      { holiday: 'National Day', first: '2015-10-01', last: '2015-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2015-01-04', holiday: "New Year's Day", tradingDay: false },
      { date: '2015-02-15', holiday: 'Spring Festival', tradingDay: false },
      { date: '2015-02-28', holiday: 'Spring Festival', tradingDay: false },
      { date: '2015-09-06', holiday: 'Victory Day, 70th anniversary', tradingDay: false },
      { date: '2015-10-10', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2016,
    // 国务院办公厅关于2016年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2015-12/10/content_10394.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2016-01-01', last: '2016-01-01' },
      { holiday: 'Spring Festival', first: '2016-02-07', last: '2016-02-13' },
      { holiday: 'Qingming Festival', first: '2016-04-04', last: '2016-04-04' },
      { holiday: 'Labour Day', first: '2016-05-01', last: '2016-05-02' },
      { holiday: 'Dragon Boat Festival', first: '2016-06-09', last: '2016-06-11' },
      { holiday: 'Mid-Autumn Festival', first: '2016-09-15', last: '2016-09-17' },
      { holiday: 'National Day', first: '2016-10-01', last: '2016-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2016-02-06', holiday: 'Spring Festival', tradingDay: false },
      { date: '2016-02-14', holiday: 'Spring Festival', tradingDay: false },
      { date: '2016-06-12', holiday: 'Dragon Boat Festival', tradingDay: false },
      { date: '2016-09-18', holiday: 'Mid-Autumn Festival', tradingDay: false },
      { date: '2016-10-08', holiday: 'National Day', tradingDay: false },
      { date: '2016-10-09', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2017,
    // 国务院办公厅关于2017年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2016-12/01/content_5141603.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2017-01-01', last: '2017-01-02' },
      { holiday: 'Spring Festival', first: '2017-01-27', last: '2017-02-02' },
      { holiday: 'Qingming Festival', first: '2017-04-02', last: '2017-04-04' },
      { holiday: 'Labour Day', first: '2017-05-01', last: '2017-05-01' },
      { holiday: 'Dragon Boat Festival', first: '2017-05-28', last: '2017-05-30' },
      { holiday: 'Mid-Autumn Festival and National Day', first: '2017-10-01', last: '2017-10-08' },
    ],
    adjustedWorkingWeekends: [
      { date: '2017-01-22', holiday: 'Spring Festival', tradingDay: false },
      { date: '2017-02-04', holiday: 'Spring Festival', tradingDay: false },
      { date: '2017-04-01', holiday: 'Qingming Festival', tradingDay: false },
      { date: '2017-05-27', holiday: 'Dragon Boat Festival', tradingDay: false },
      { date: '2017-09-30', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
    ],
  },
  {
    year: 2018,
    // 国务院办公厅关于2018年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2017-11/30/content_5243579.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2018-01-01', last: '2018-01-01' },
      { holiday: 'Spring Festival', first: '2018-02-15', last: '2018-02-21' },
      { holiday: 'Qingming Festival', first: '2018-04-05', last: '2018-04-07' },
      { holiday: 'Labour Day', first: '2018-04-29', last: '2018-05-01' },
      { holiday: 'Dragon Boat Festival', first: '2018-06-18', last: '2018-06-18' },
      { holiday: 'Mid-Autumn Festival', first: '2018-09-24', last: '2018-09-24' },
      { holiday: 'National Day', first: '2018-10-01', last: '2018-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2018-02-11', holiday: 'Spring Festival', tradingDay: false },
      { date: '2018-02-24', holiday: 'Spring Festival', tradingDay: false },
      { date: '2018-04-08', holiday: 'Qingming Festival', tradingDay: false },
      { date: '2018-04-28', holiday: 'Labour Day', tradingDay: false },
      { date: '2018-09-29', holiday: 'National Day', tradingDay: false },
      { date: '2018-09-30', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2019,
    // 国务院办公厅关于2019年部分节假日安排的通知 (its New Year's Day break begins on 2018-12-30); and
    // 国务院办公厅关于调整2019年劳动节假期安排的通知 (2019-03-22), which made Labour Day 1 to 4 May.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2018-12/06/content_5346276.htm', 'http://www.gov.cn/zhengce/zhengceku/2019-03/22/content_5375877.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2018-12-30', last: '2019-01-01' },
      { holiday: 'Spring Festival', first: '2019-02-04', last: '2019-02-10' },
      { holiday: 'Qingming Festival', first: '2019-04-05', last: '2019-04-05' },
      { holiday: 'Labour Day', first: '2019-05-01', last: '2019-05-04' },
      { holiday: 'Dragon Boat Festival', first: '2019-06-07', last: '2019-06-07' },
      { holiday: 'Mid-Autumn Festival', first: '2019-09-13', last: '2019-09-13' },
      { holiday: 'National Day', first: '2019-10-01', last: '2019-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2018-12-29', holiday: "New Year's Day", tradingDay: false },
      { date: '2019-02-02', holiday: 'Spring Festival', tradingDay: false },
      { date: '2019-02-03', holiday: 'Spring Festival', tradingDay: false },
      { date: '2019-04-28', holiday: 'Labour Day', tradingDay: false },
      { date: '2019-05-05', holiday: 'Labour Day', tradingDay: false },
      { date: '2019-09-29', holiday: 'National Day', tradingDay: false },
      { date: '2019-10-12', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2020,
    // 国务院办公厅关于2020年部分节假日安排的通知; and 国务院办公厅关于延长2020年春节假期的通知 (2020-01-27), which
    // extended the Spring Festival to 2 February for the epidemic and so dropped Saturday 1 February as a working day.
    // The exchanges closed on Friday 31 January and reopened on Monday 3 February.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2019-11/21/content_5454164.htm', 'http://www.gov.cn/zhengce/zhengceku/2020-01/27/content_5472352.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2020-01-01', last: '2020-01-01' },
      { holiday: 'Spring Festival', first: '2020-01-24', last: '2020-02-02' },
      { holiday: 'Qingming Festival', first: '2020-04-04', last: '2020-04-06' },
      { holiday: 'Labour Day', first: '2020-05-01', last: '2020-05-05' },
      { holiday: 'Dragon Boat Festival', first: '2020-06-25', last: '2020-06-27' },
      { holiday: 'Mid-Autumn Festival and National Day', first: '2020-10-01', last: '2020-10-08' },
    ],
    adjustedWorkingWeekends: [
      { date: '2020-01-19', holiday: 'Spring Festival', tradingDay: false },
      { date: '2020-04-26', holiday: 'Labour Day', tradingDay: false },
      { date: '2020-05-09', holiday: 'Labour Day', tradingDay: false },
      { date: '2020-06-28', holiday: 'Dragon Boat Festival', tradingDay: false },
      { date: '2020-09-27', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
      { date: '2020-10-10', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
    ],
  },
  {
    year: 2021,
    // 国务院办公厅关于2021年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2020-11/25/content_5564127.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2021-01-01', last: '2021-01-03' },
      { holiday: 'Spring Festival', first: '2021-02-11', last: '2021-02-17' },
      { holiday: 'Qingming Festival', first: '2021-04-03', last: '2021-04-05' },
      { holiday: 'Labour Day', first: '2021-05-01', last: '2021-05-05' },
      { holiday: 'Dragon Boat Festival', first: '2021-06-12', last: '2021-06-14' },
      { holiday: 'Mid-Autumn Festival', first: '2021-09-19', last: '2021-09-21' },
      { holiday: 'National Day', first: '2021-10-01', last: '2021-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2021-02-07', holiday: 'Spring Festival', tradingDay: false },
      { date: '2021-02-20', holiday: 'Spring Festival', tradingDay: false },
      { date: '2021-04-25', holiday: 'Labour Day', tradingDay: false },
      { date: '2021-05-08', holiday: 'Labour Day', tradingDay: false },
      { date: '2021-09-18', holiday: 'Mid-Autumn Festival', tradingDay: false },
      { date: '2021-09-26', holiday: 'National Day', tradingDay: false },
      { date: '2021-10-09', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2022,
    // 国务院办公厅关于2022年部分节假日安排的通知.
    notices: ['http://www.gov.cn/zhengce/zhengceku/2021-10/25/content_5644835.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2022-01-01', last: '2022-01-03' },
      { holiday: 'Spring Festival', first: '2022-01-31', last: '2022-02-06' },
      { holiday: 'Qingming Festival', first: '2022-04-03', last: '2022-04-05' },
      { holiday: 'Labour Day', first: '2022-04-30', last: '2022-05-04' },
      { holiday: 'Dragon Boat Festival', first: '2022-06-03', last: '2022-06-05' },
      { holiday: 'Mid-Autumn Festival', first: '2022-09-10', last: '2022-09-12' },
      { holiday: 'National Day', first: '2022-10-01', last: '2022-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2022-01-29', holiday: 'Spring Festival', tradingDay: false },
      { date: '2022-01-30', holiday: 'Spring Festival', tradingDay: false },
      { date: '2022-04-02', holiday: 'Qingming Festival', tradingDay: false },
      { date: '2022-04-24', holiday: 'Labour Day', tradingDay: false },
      { date: '2022-05-07', holiday: 'Labour Day', tradingDay: false },
      { date: '2022-10-08', holiday: 'National Day', tradingDay: false },
      { date: '2022-10-09', holiday: 'National Day', tradingDay: false },
    ],
  },
  {
    year: 2023,
    // 国务院办公厅关于2023年部分节假日安排的通知 (its New Year's Day break begins on 2022-12-31).
    notices: ['http://www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2022-12-31', last: '2023-01-02' },
      { holiday: 'Spring Festival', first: '2023-01-21', last: '2023-01-27' },
      { holiday: 'Qingming Festival', first: '2023-04-05', last: '2023-04-05' },
      { holiday: 'Labour Day', first: '2023-04-29', last: '2023-05-03' },
      { holiday: 'Dragon Boat Festival', first: '2023-06-22', last: '2023-06-24' },
      { holiday: 'Mid-Autumn Festival and National Day', first: '2023-09-29', last: '2023-10-06' },
    ],
    adjustedWorkingWeekends: [
      { date: '2023-01-28', holiday: 'Spring Festival', tradingDay: false },
      { date: '2023-01-29', holiday: 'Spring Festival', tradingDay: false },
      { date: '2023-04-23', holiday: 'Labour Day', tradingDay: false },
      { date: '2023-05-06', holiday: 'Labour Day', tradingDay: false },
      { date: '2023-06-25', holiday: 'Dragon Boat Festival', tradingDay: false },
      { date: '2023-10-07', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
      { date: '2023-10-08', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
    ],
  },
  {
    year: 2024,
    // 国务院办公厅关于2024年部分节假日安排的通知; and the exchanges' own 关于2024年部分节假日休市安排的通知 (SSE,
    // 2023-12-26), which also closed them on Spring Festival Eve, Friday 9 February, not a public holiday that year.
    notices: ['https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2024-01-01', last: '2024-01-01' },
      { holiday: 'Spring Festival', first: '2024-02-10', last: '2024-02-17' },
      { holiday: 'Qingming Festival', first: '2024-04-04', last: '2024-04-06' },
      { holiday: 'Labour Day', first: '2024-05-01', last: '2024-05-05' },
      { holiday: 'Dragon Boat Festival', first: '2024-06-10', last: '2024-06-10' },
      { holiday: 'Mid-Autumn Festival', first: '2024-09-15', last: '2024-09-17' },
      { holiday: 'National Day', first: '2024-10-01', last: '2024-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2024-02-04', holiday: 'Spring Festival', tradingDay: false },
      { date: '2024-02-18', holiday: 'Spring Festival', tradingDay: false },
      { date: '2024-04-07', holiday: 'Qingming Festival', tradingDay: false },
      { date: '2024-04-28', holiday: 'Labour Day', tradingDay: false },
      { date: '2024-05-11', holiday: 'Labour Day', tradingDay: false },
      { date: '2024-09-14', holiday: 'Mid-Autumn Festival', tradingDay: false },
      { date: '2024-09-29', holiday: 'National Day', tradingDay: false },
      { date: '2024-10-12', holiday: 'National Day', tradingDay: false },
    ],
    exchangeOnlyClosures: [{ date: '2024-02-09', holiday: 'Spring Festival' }],
  },
  {
    year: 2025,
    // 国务院办公厅关于2025年部分节假日安排的通知, the first under the State Council's 2024-11 revision of
    // 全国年节及纪念日放假办法, which added Spring Festival Eve and 2 May: the Spring Festival has 8 days, Labour Day 5.
    notices: ['https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2025-01-01', last: '2025-01-01' },
      { holiday: 'Spring Festival', first: '2025-01-28', last: '2025-02-04' },
      { holiday: 'Qingming Festival', first: '2025-04-04', last: '2025-04-06' },
      { holiday: 'Labour Day', first: '2025-05-01', last: '2025-05-05' },
      { holiday: 'Dragon Boat Festival', first: '2025-05-31', last: '2025-06-02' },
      { holiday: 'Mid-Autumn Festival and National Day', first: '2025-10-01', last: '2025-10-08' },
    ],
    adjustedWorkingWeekends: [
      { date: '2025-01-26', holiday: 'Spring Festival', tradingDay: false },
      { date: '2025-02-08', holiday: 'Spring Festival', tradingDay: false },
      { date: '2025-04-27', holiday: 'Labour Day', tradingDay: false },
      { date: '2025-09-28', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
      { date: '2025-10-11', holiday: 'Mid-Autumn Festival and National Day', tradingDay: false },
    ],
  },
  {
    year: 2026,
    // 国务院办公厅关于2026年部分节假日安排的通知 (issued 2025-11-04); the exchanges' 关于2026年部分节假日休市安排的
    // 通知 (SSE, SZSE, BSE, 2025-12-22, https://www.sse.com.cn/disclosure/announcement/general/c/c_20251222_10802507.shtml)
    // closes the same days, and lists the weekend days offices work (14 and 28 February among them) as closed.
    notices: ['https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm'],
    holidays: [
      { holiday: "New Year's Day", first: '2026-01-01', last: '2026-01-03' },
      { holiday: 'Spring Festival', first: '2026-02-15', last: '2026-02-23' },
      { holiday: 'Qingming Festival', first: '2026-04-04', last: '2026-04-06' },
      { holiday: 'Labour Day', first: '2026-05-01', last: '2026-05-05' },
      { holiday: 'Dragon Boat Festival', first: '2026-06-19', last: '2026-06-21' },
      { holiday: 'Mid-Autumn Festival', first: '2026-09-25', last: '2026-09-27' },
      { holiday: 'National Day', first: '2026-10-01', last: '2026-10-07' },
    ],
    adjustedWorkingWeekends: [
      { date: '2026-01-04', holiday: "New Year's Day", tradingDay: false },
      { date: '2026-02-14', holiday: 'Spring Festival', tradingDay: false },
      { date: '2026-02-28', holiday: 'Spring Festival', tradingDay: false },
      { date: '2026-05-09', holiday: 'Labour Day', tradingDay: false },
      { date: '2026-09-20', holiday: 'National Day', tradingDay: false },
      { date: '2026-10-10', holiday: 'National Day', tradingDay: false },
    ],
  },
];
