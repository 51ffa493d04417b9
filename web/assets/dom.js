// Building the page from data without innerHTML: text from the API is always inserted as text.
//
// Every node the site puts into a page goes through this module (a unit test holds site code to it).
// A missing value (null, undefined, false) is left out instead of being shown as "null"; an object that
// is not a node, or a number that is not finite, is refused at once instead of reaching the visitor as
// "[object Object]" or "NaN".

/** The text a value stands for; "" for a missing value. */
export function textOf(value) {
  if (value === undefined || value === null || value === false) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return String(value);
  throw new TypeError(`not text: ${Object.prototype.toString.call(value)}`);
}

/** The nodes for `children`: nested arrays flattened, missing values left out, text as text nodes. */
export function nodes(children) {
  const result = [];
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    result.push(child instanceof Node ? child : document.createTextNode(textOf(child)));
  }
  return result;
}

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = textOf(value);
    else if (name === "text") element.textContent = textOf(value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, textOf(value));
  }
  return append(element, children);
}

/** The DOM's own insertion `method`, given `children` as nodes (see `nodes`); the wrapper returns its target. */
function inserting(method) {
  return (target, ...children) => {
    target[method](...nodes(children));
    return target;
  };
}

/** Adds `children` at the end of `parent`; returns `parent`. */
export const append = inserting("append");

/** Adds `children` at the start of `parent`; returns `parent`. */
export const prepend = inserting("prepend");

/** Puts `children` right after `reference`, as its next siblings; returns `reference`. */
export const insertAfter = inserting("after");

/** Replaces everything in `parent` with `children`; returns `parent`. */
export const replaceChildren = inserting("replaceChildren");

/** Sets an element's whole text; returns the element. */
export function setText(element, value) {
  element.textContent = textOf(value);
  return element;
}

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
  return element;
}

/** A table with a header row; `rows` are arrays of cells (strings, nodes or arrays of them). */
export function table(caption, headers, rows, { rowHeaders = true } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", { text: caption }) : null,
      h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col", text })))),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map((cell, index) =>
              index === 0 && rowHeaders ? h("th", { scope: "row" }, cell) : h("td", {}, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

let counter = 0;
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
