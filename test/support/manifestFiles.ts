/** Every file the manifest's `contributes` points at: walkthrough media, icons, JSON schemas. */
export function namedFiles(contributes: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (['markdown', 'image', 'icon', 'url'].includes(key) && /\.\w+$/.test(value))
        found.push(value.replace(/^\.\//, ''));
    } else if (Array.isArray(value)) value.forEach((item) => visit(item, key));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(contributes, '');
  return found;
}
