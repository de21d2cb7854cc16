// Form fields for whatever the JSON Schema of sondar.survey/1 (or sondar.site/1) describes, so the
// editor's form covers the whole schema and follows it as it grows. The schema gives structure,
// names and the descriptions shown as hints; whether a value is valid is the core's to say (its
// errors land on these fields through their data-path, the core's own path syntax).

/**
 * What the editor lends the form: its element builder and field wrapper, the draft's text
 * helpers for the locale being edited, and `edit`, which changes the draft and revalidates it.
 * @typedef {object} Kit
 * @property {(tag: string, props?: Record<string, any>, ...children: (Node|string)[]) => HTMLElement} h
 * @property {(label: string, path: string, input: HTMLElement, hint?: string) => HTMLElement} field
 * @property {(v: unknown) => string} textOf
 * @property {(old: unknown, value: string) => unknown} withText
 * @property {(fn: (doc: any) => void, structural?: boolean) => void} edit  structural: something
 *   was added, removed or changed shape, so the form is drawn again
 * @property {Record<string, any>} schemas the schema documents by file name (survey.json, site.json)
 * @property {() => string[]} questionIds the draft's question ids, offered where a condition names one
 * @property {Set<string>} open paths of the <details> sections the author opened, kept across renders
 */

/** @typedef {(string|number)[]} Keys */

/** The core's path for `keys`: questions[0].scale.min */
export const pathOf = (keys) => keys.reduce((p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${k}` : k), '');

/** Sets (or, for undefined, removes) the member at `keys`, dropping objects left empty. */
export function setAt(doc, keys, value) {
  const parents = [doc];
  let node = doc;
  keys.slice(0, -1).forEach((k, i) => {
    // A missing container is an array when the key below it is an index.
    if (node[k] === null || typeof node[k] !== 'object') node[k] = typeof keys[i + 1] === 'number' ? [] : {};
    node = node[k];
    parents.push(node);
  });
  const last = keys[keys.length - 1];
  if (value === undefined) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else delete node[last];
    for (let i = parents.length - 1; i > 0; i--) {
      const p = parents[i];
      if (Array.isArray(p) || Object.keys(p).length) break;
      delete parents[i - 1][keys[i - 1]];
    }
  } else {
    node[last] = value;
  }
}

const words = (key) => String(key).replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

/** A schema node with its $ref followed; `ref` names the definition it came from. */
function resolve(kit, node, file = 'survey.json') {
  if (!node || !node.$ref) return { node, ref: '', file };
  const [target, pointer] = node.$ref.split('#');
  const doc = kit.schemas[target || file];
  const name = pointer.replace('/definitions/', '');
  return { ...resolve(kit, doc.definitions[name], target || file), ref: name };
}

/** A scalar as the author typed it: JSON when it reads as JSON (9, true, ["a"]), else the text. */
function typed(text) {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
const shown = (v) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Fields for `value` (at `keys` in the draft) as `node` describes it; `skip` names members the
 * editor already shows its own way.
 * @param {Kit} kit @param {any} node @param {any} value @param {Keys} keys
 * @param {{skip?: Set<string>, label?: string, file?: string}} [options]
 * @returns {HTMLElement[]}
 */
export function schemaFields(kit, node, value, keys, options = {}) {
  const { h, field } = kit;
  const r = resolve(kit, node, options.file);
  const n = r.node || {};
  const path = pathOf(keys);
  const label = options.label || words(keys[keys.length - 1]);
  const hint = n.description || (node && node.description) || '';
  const set = (v) => kit.edit((doc) => setAt(doc, keys, v));

  if (r.ref === 'text') {
    const input = h('input', { value: kit.textOf(value) });
    input.addEventListener('input', () => kit.edit((doc) => setAt(doc, keys, input.value === '' && typeof value !== 'object' ? undefined : kit.withText(value, input.value))));
    return [field(label, path, input)]; // the schema's hint on texts is about JSON, not this field
  }
  if (r.ref === 'questionCondition' || r.ref === 'attributeCondition') {
    return [condition(kit, r.ref === 'questionCondition' ? 'question' : 'attribute', n, value, keys, label, hint)];
  }
  if (n.enum) {
    const select = h('select', {}, h('option', { value: '' }, '(not set)'), ...n.enum.map((e) => h('option', { value: String(e), selected: value === e }, String(e))));
    select.addEventListener('change', () => set(select.value === '' ? undefined : n.enum.find((e) => String(e) === select.value)));
    return [field(label, path, select, hint)];
  }
  const type = Array.isArray(n.type) ? n.type[0] : n.type;
  if (type === 'boolean') {
    const select = h('select', {}, ...[['', '(not set)'], ['true', 'yes'], ['false', 'no']].map(([v, t]) => h('option', { value: v, selected: shown(value) === v }, t)));
    select.addEventListener('change', () => set(select.value === '' ? undefined : select.value === 'true'));
    return [field(label, path, select, hint)];
  }
  if (type === 'integer' || type === 'number') {
    const input = h('input', { type: 'number', step: type === 'integer' ? '1' : 'any', value: value ?? '' });
    input.addEventListener('input', () => set(input.value === '' ? undefined : Number(input.value)));
    return [field(label, path, input, hint)];
  }
  if (type === 'string' || (!type && !n.properties && !n.items && !n.oneOf)) {
    const input = h('input', { value: shown(value) });
    input.addEventListener('input', () => set(type === 'string' ? input.value || undefined : typed(input.value)));
    return [field(label, path, input, hint)];
  }
  if (type === 'array') return [list(kit, n, value, keys, label, hint, options.file)];
  if (n.oneOf) return oneOf(kit, n, value, keys, label, hint, options.file);
  // An object: its members in a section the author opens.
  const props = n.properties || {};
  const children = Object.keys(props)
    .filter((k) => !(options.skip && options.skip.has(k)) && k !== '$schema' && k !== 'schema')
    .flatMap((k) => schemaFields(kit, props[k], value ? value[k] : undefined, [...keys, k], { file: r.file }));
  return [section(kit, label, path, hint, children)];
}

/** A <details> section that stays open across renders once the author opened it. */
export function section(kit, label, path, hint, children) {
  const { h } = kit;
  const details = h('details', { className: 'section', open: kit.open.has(path), 'data-section': path }, h('summary', {}, label), ...(hint ? [h('small', { className: 'muted' }, hint)] : []), ...children);
  details.addEventListener('toggle', () => (details.open ? kit.open.add(path) : kit.open.delete(path)));
  return details;
}

/** An array: scalars as one comma-separated field, objects as a list with add and remove. */
function list(kit, n, value, keys, label, hint, file) {
  const { h, field } = kit;
  const items = Array.isArray(value) ? value : [];
  const item = resolve(kit, n.items, file);
  const scalar = item.node && (item.node.type === 'string' || item.node.type === 'number' || item.node.enum) && item.ref !== 'text';
  const path = pathOf(keys);
  if (scalar) {
    const input = h('input', { value: items.join(', ') });
    input.addEventListener('input', () => {
      const parts = input.value.split(',').map((s) => s.trim()).filter(Boolean);
      kit.edit((doc) => setAt(doc, keys, parts.length ? parts.map((p) => (item.node.type === 'number' ? Number(p) : p)) : undefined));
    });
    return field(`${label} (comma-separated)`, path, input, hint);
  }
  const singular = label.replace(/s$/, '');
  const children = items.flatMap((v, i) => [
    ...schemaFields(kit, n.items, v, [...keys, i], { label: `${singular} ${i + 1}`, file }),
    removeButton(kit, `Remove ${singular.toLowerCase()} ${i + 1}`, [...keys, i]),
  ]);
  const add = h('button', { type: 'button' }, `Add ${singular.toLowerCase()}`);
  add.addEventListener('click', () => {
    kit.open.add(path).add(pathOf([...keys, items.length]));
    kit.edit((doc) => setAt(doc, [...keys, items.length], item.node && item.node.type === 'object' ? {} : ''), true);
  });
  return section(kit, label, path, hint, [...children, add]);
}

function removeButton(kit, text, keys) {
  const button = kit.h('button', { type: 'button' }, text);
  button.addEventListener('click', () => kit.edit((doc) => setAt(doc, keys, undefined), true));
  return button;
}

/** A choice of shapes (a hidden field's name, or {name, pii}): the object form, written short. */
function oneOf(kit, n, value, keys, label, hint, file) {
  const object = n.oneOf.map((b) => resolve(kit, b, file).node).find((b) => b && b.type === 'object' && b.properties && b.properties.name);
  if (!object) {
    const input = kit.h('input', { value: shown(value) });
    input.addEventListener('input', () => kit.edit((doc) => setAt(doc, keys, typed(input.value))));
    return [kit.field(label, pathOf(keys), input, hint)];
  }
  const { h, field } = kit;
  const name = typeof value === 'string' ? value : (value && value.name) || '';
  const pii = !!(value && typeof value === 'object' && value.pii);
  const write = (nextName, nextPii, structural) => kit.edit((doc) => setAt(doc, keys, nextPii ? { name: nextName, pii: true } : nextName), structural);
  const nameInput = h('input', { value: name });
  nameInput.addEventListener('input', () => write(nameInput.value, pii, false));
  const piiBox = h('input', { type: 'checkbox', checked: pii });
  piiBox.addEventListener('change', () => write(nameInput.value, piiBox.checked, true));
  const at = pathOf(keys);
  return [field(`${label} name`, typeof value === 'object' ? `${at}.name` : at, nameInput),
    field(`${label}: personal data (viewers never see it)`, `${at}.pii`, piiBox, object.properties.pii.description || '')];
}

/**
 * A condition: one test ({question|attribute, op, value}) or a group of them (all / any), to any
 * depth. Which questions a test may name and which ops fit them is the core's to check.
 */
function condition(kit, subject, n, value, keys, label, hint) {
  const { h, field } = kit;
  const path = pathOf(keys);
  const kind = !value ? '' : value.all ? 'all' : value.any ? 'any' : 'test';
  const choose = h('select', {}, ...[['', '(none)'], ['test', 'a test'], ['all', 'all of'], ['any', 'any of']].map(([v, t]) => h('option', { value: v, selected: kind === v }, t)));
  choose.addEventListener('change', () => {
    kit.open.add(path);
    const first = { [subject]: subject === 'question' ? kit.questionIds()[0] || '' : '', op: 'eq', value: '' };
    kit.edit((doc) => setAt(doc, keys, choose.value === '' ? undefined : choose.value === 'test' ? first : { [choose.value]: [first] }), true);
  });
  const children = [field(`${label}: kind`, `${path}`, choose, hint)];
  const leaf = n.oneOf[0];
  if (kind === 'test') {
    const ids = kit.questionIds();
    const who = subject === 'question'
      ? h('select', {}, ...[...new Set([...ids, value.question])].map((id) => h('option', { value: id, selected: id === value.question }, id || '(choose)')))
      : h('input', { value: value.attribute ?? '' });
    who.addEventListener(subject === 'question' ? 'change' : 'input', () => kit.edit((doc) => setAt(doc, [...keys, subject], /** @type {HTMLInputElement} */ (who).value)));
    const op = h('select', {}, ...leaf.properties.op.enum.map((o) => h('option', { value: o, selected: o === value.op }, o)));
    op.addEventListener('change', () => kit.edit((doc) => setAt(doc, [...keys, 'op'], op.value)));
    const v = h('input', { value: shown(value.value) });
    v.addEventListener('input', () => kit.edit((doc) => setAt(doc, [...keys, 'value'], typed(v.value))));
    children.push(field(words(subject), `${path}.${subject}`, who), field('Test', `${path}.op`, op),
      field('Value', `${path}.value`, v, 'A number, true/false, text, or for "in" a list such as ["a", "b"]'));
  } else if (kind) {
    const items = value[kind] || [];
    items.forEach((c, i) => {
      children.push(condition(kit, subject, n, c, [...keys, kind, i], `${kind === 'all' ? 'And' : 'Or'} ${i + 1}`, ''));
      children.push(removeButton(kit, `Remove condition ${i + 1}`, [...keys, kind, i]));
    });
    const add = h('button', { type: 'button' }, 'Add condition');
    add.addEventListener('click', () => kit.edit((doc) => setAt(doc, [...keys, kind, items.length], { [subject]: subject === 'question' ? kit.questionIds()[0] || '' : '', op: 'eq', value: '' }), true));
    children.push(add);
  }
  return section(kit, label, path, '', children);
}
