import type { JsonObject } from '../../eventstore';
import { InvalidEngineInputError, type ModelResource, PROCESS_ENGINE_LIMITS, type PublishedMessage } from './process-engine';

/** The checks every adapter makes of what it is asked to deploy or to carry, before it reaches the engine. */

/** A copy of `value` as plain JSON, refused when it is not an object or is too large to store. */
export function jsonObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidEngineInputError(`${what} must be a JSON object`);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidEngineInputError(`${what} must be JSON: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text) > PROCESS_ENGINE_LIMITS.maxVariablesBytes) {
    throw new InvalidEngineInputError(`${what} take more than ${PROCESS_ENGINE_LIMITS.maxVariablesBytes} bytes of JSON`);
  }
  return JSON.parse(text) as JsonObject;
}

/** How many resources one deploy takes, and how long their names and XML may be. */
export function checkDeployBounds(resources: readonly ModelResource[]): void {
  const { maxResourcesPerDeploy, maxResourceBytes, maxNameLength } = PROCESS_ENGINE_LIMITS;
  if (resources.length === 0 || resources.length > maxResourcesPerDeploy) {
    throw new InvalidEngineInputError(`a deploy takes 1 to ${maxResourcesPerDeploy} resources, not ${resources.length}`);
  }
  for (const resource of resources) {
    if (typeof resource.name !== 'string' || resource.name.length === 0 || resource.name.length > maxNameLength) {
      throw new InvalidEngineInputError(`a resource name must have 1 to ${maxNameLength} characters`);
    }
    if (typeof resource.xml !== 'string' || Buffer.byteLength(resource.xml) > maxResourceBytes) {
      throw new InvalidEngineInputError(`${resource.name} must be BPMN XML of at most ${maxResourceBytes} bytes`);
    }
  }
}

/** A name (process id, business key, task type, message name) the engine stores and matches on. */
export function checkName(value: unknown, what: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > PROCESS_ENGINE_LIMITS.maxNameLength) {
    throw new InvalidEngineInputError(`${what} must be a text of 1 to ${PROCESS_ENGINE_LIMITS.maxNameLength} characters`);
  }
}

/** A message to publish, checked: its names, its time to live (0 when absent) and its variables as plain JSON. */
export function checkedMessage(message: PublishedMessage): Required<Omit<PublishedMessage, 'messageId'>> & Pick<PublishedMessage, 'messageId'> {
  checkName(message.name, 'a message name');
  checkName(message.correlationKey, 'a correlation key');
  if (message.messageId !== undefined) checkName(message.messageId, 'a message id');
  const timeToLiveMs = message.timeToLiveMs ?? 0;
  if (!Number.isInteger(timeToLiveMs) || timeToLiveMs < 0 || timeToLiveMs > PROCESS_ENGINE_LIMITS.maxTimeToLiveMs) {
    throw new InvalidEngineInputError(`timeToLiveMs must be a whole number from 0 to ${PROCESS_ENGINE_LIMITS.maxTimeToLiveMs}`);
  }
  return { ...message, timeToLiveMs, variables: jsonObject(message.variables ?? {}, 'the message variables') };
}
