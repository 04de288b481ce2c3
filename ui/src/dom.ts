// A tiny DOM builder. Every string becomes a text node: nothing from a platform (names, bios,
// handles) is ever parsed as HTML, so `<script>` or `<img onerror>` in a bio shows as text.
// (No HTML-parsing sink anywhere in the UI; src/security.test.ts checks that.)

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  /** Attributes such as aria-label, for, type, role. `false`/`null` leaves one out. */
  attrs?: Record<string, string | boolean | null | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/** Creates an element with props and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.id) el.id = props.id;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    if (value === true) el.setAttribute(name, "");
    else if (typeof value === "string") el.setAttribute(name, value);
  }
  for (const [name, handler] of Object.entries(props?.on ?? {})) {
    el.addEventListener(name, handler as EventListener);
  }
  append(el, ...children);
  return el;
}

/** Appends children, strings as text. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let uid = 0;
/** A unique id for label/aria wiring. */
export function nextId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: label, control, and a hint/error line tied by aria-describedby. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: string,
): { wrap: HTMLElement; message: HTMLElement } {
  const id = control.id || nextId("f");
  control.id = id;
  const message = h("p", { class: "hint", id: `${id}-msg`, attrs: { "aria-live": "polite" } }, hint ?? "");
  control.setAttribute("aria-describedby", message.id);
  const wrap = h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), control, message);
  return { wrap, message };
}

/** Shows an error (or clears it) on a field's message line. */
export function setFieldError(
  control: HTMLElement,
  message: HTMLElement,
  error: string | null,
  hint = "",
): void {
  message.textContent = error ?? hint;
  message.classList.toggle("error", !!error);
  if (error) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
}

/** A button. */
export function button(label: string, onClick: () => void, cls = "", attrs: Props["attrs"] = {}): HTMLButtonElement {
  return h("button", { class: cls, attrs: { type: "button", ...attrs }, on: { click: () => onClick() } }, label);
}
