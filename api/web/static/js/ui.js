// Small DOM helpers shared by the page's parts: find by id, set text, toasts.

export const $ = (id) => document.getElementById(id);

export function setText(id, text, className) {
  const element = $(id);
  element.textContent = text;
  if (className !== undefined) element.className = className;
}

export function toast(text, kind = "") {
  const box = document.createElement("div");
  box.className = `toast ${kind}`;
  box.textContent = text;
  $("toasts").appendChild(box);
  setTimeout(() => box.remove(), kind === "error" ? 9000 : 5000);
}

// a table from a header and rows of cells: [text, className] pairs or strings; html cells are trusted markup
export function fillTable(table, head, rows) {
  const th = head.map(([text, cls]) => `<th class="${cls || ""}">${text}</th>`).join("");
  table.innerHTML = `<thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody>`;
}
