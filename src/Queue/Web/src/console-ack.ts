// Acknowledging an open alert on the console: a disclosure button and the note form below it.
import { el, problemText, text } from "./common";

// "Acknowledge…" opens the note below it (a disclosure: the button says whether it is open); Escape or Cancel closes
// it and gives the focus back to the button.
export function ackButton(id: number, box: HTMLElement, acknowledge: (note: string) => Promise<void>): HTMLElement {
  const button = el("button", { type: "button", class: "ack-open", "aria-expanded": "false", "aria-controls": `ack-form-${id}` }, "Acknowledge…");
  const close = () => {
    box.querySelector("form")?.remove();
    button.setAttribute("aria-expanded", "false");
    button.focus();
  };
  button.addEventListener("click", () => {
    if (box.querySelector("form")) return close();
    const form = ackForm(id, close, acknowledge);
    box.append(form);
    button.setAttribute("aria-expanded", "true");
    form.querySelector("textarea")!.focus();
  });
  return button;
}

function ackForm(id: number, close: () => void, acknowledge: (note: string) => Promise<void>): HTMLFormElement {
  const noteId = `note-${id}`;
  const note = el("textarea", { id: noteId, name: "note", maxlength: "2000", "aria-describedby": `ack-error-${id}` });
  const error = el("p", { id: `ack-error-${id}`, class: "error", role: "alert" });
  const submit = el("button", { type: "submit" }, "Acknowledge");
  const cancel = el("button", { type: "button", class: "secondary" }, "Cancel");
  const form = el("form", { id: `ack-form-${id}`, class: "ack-form", novalidate: true, "aria-label": `Acknowledge alert #${id}` },
    el("label", { for: noteId }, "Note: what is being done about it"), note, error, el("div", { class: "actions" }, submit, cancel));
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    close();
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = note.value.trim();
    if (!value) {
      text(error, "Write a note: what is being done about it.");
      note.focus();
      return;
    }
    submit.disabled = true;
    text(error, "");
    try {
      await acknowledge(value);
    } catch (err) {
      text(error, problemText(err));
      submit.disabled = false;
    }
  });
  return form;
}
