/** `Variable "$input" got invalid value …; Field "nameZh" …` → `input.nameZh`. */
export function variableField(message: string): string | undefined {
  const variable = /Variable "\$(\w+)"/.exec(message)?.[1];
  const at = /at "[\w$]+\.([\w.[\]]+)"/.exec(message)?.[1];
  const field = /Field "(\w+)"/.exec(message)?.[1];
  if (!variable) return undefined;
  if (at) return `${variable}.${at}`;
  return field ? `${variable}.${field}` : variable;
}
