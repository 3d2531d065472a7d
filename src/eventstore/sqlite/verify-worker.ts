/**
 * Worker-thread entry of the store's verification (runs as dist/eventstore/sqlite/verify-worker.js on the
 * worker pool): opens the store's file read-only once and walks each range of chains it is sent.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serveJobs } from '../../worker-pool';
import type { VerifyWorkerData } from './chain-verifier';
import { RangeVerifier, type VerifyJob, type VerifyJobReport } from './verify-jobs';

const { path, auditKey, anchor } = workerData as VerifyWorkerData;
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const verifier = new RangeVerifier(db, auditKey, anchor);
serveJobs<VerifyJob, VerifyJobReport>((job) => verifier.run(job));
