/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Exposition {
  /** Metric families by name, from their `# TYPE` lines (histogram, counter, gauge...). */
  readonly types: Map<string, string>;
  readonly samples: Sample[];
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq).trim();
    let j = eq + 2; // past ="
    let value = '';
    while (text[j] !== '"') {
      if (text[j] === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : next;
        j += 2;
      } else value += text[j++];
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return labels;
}

/** Enough of the format for tests: samples with labels, and the declared type of each family. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name, type);
    } else if (line && !line.startsWith('#')) {
      const brace = line.indexOf('{');
      const space = line.lastIndexOf(' ');
      const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
      const labels =
        brace >= 0 && brace < space ? parseLabels(line.slice(brace + 1, line.lastIndexOf('}'))) : {};
      samples.push({ name, labels, value: Number(line.slice(space + 1)) });
    }
  }
  return { types, samples };
}

/** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  e: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = e.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
