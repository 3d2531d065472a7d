type Frame = { kind: 'object'; keys: Set<string>; expectKey: boolean; key: string | undefined } | { kind: 'array'; index: number };

/**
 * The path of the first key given twice in one object of a JSON text, or undefined when there is none.
 * JSON.parse keeps the last of two equal keys silently, so `{"amount":"1.00","amount":"2.00"}` would be
 * taken as 2.00 while a reader of the request sees 1.00 first; the API refuses such a body instead.
 * `text` must be valid JSON (parse it first); one pass, bounded by its length.
 */
export function firstDuplicateKey(text: string): string | undefined {
  const frames: Frame[] = [];
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    const top = frames[frames.length - 1];
    if (char === '"') {
      const end = endOfString(text, at);
      if (top?.kind === 'object' && top.expectKey) {
        const raw = text.slice(at, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return pathOf([...frames.slice(0, -1), { ...top, key }]);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      at = end;
    } else if (char === '{') frames.push({ kind: 'object', keys: new Set(), expectKey: true, key: undefined });
    else if (char === '[') frames.push({ kind: 'array', index: 0 });
    else if (char === '}' || char === ']') frames.pop();
    else if (char === ',' && top) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
  return at;
}

function pathOf(frames: readonly Frame[]): string {
  let path = '';
  for (const frame of frames) {
    if (frame.kind === 'array') path += `[${frame.index}]`;
    else if (frame.key !== undefined) path += path === '' ? frame.key : `.${frame.key}`;
  }
  return path;
}
