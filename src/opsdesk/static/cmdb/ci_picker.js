// The relationship form's name picker. htmx lists the items matching what
// is typed; choosing one puts its exact name in the field. Without this
// script the field still takes an exact name.
function pickerField(picker) {
  return picker.querySelector("input[name=other]");
}

function choose(choice) {
  const picker = choice.closest("[data-ci-picker]");
  const field = pickerField(picker);
  field.value = choice.dataset.ciCandidate;
  picker.querySelector(".ci-candidates").replaceChildren();
  field.focus();
}

// Arrow keys move between the field and the offered items.
function move(picker, from, step) {
  const stops = [pickerField(picker), ...picker.querySelectorAll("[data-ci-candidate]")];
  const next = stops[stops.indexOf(from) + step];
  if (next) next.focus();
}

document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-ci-candidate]");
  if (choice) choose(choice);
});

document.addEventListener("keydown", (event) => {
  const picker = event.target.closest && event.target.closest("[data-ci-picker]");
  if (!picker) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    move(picker, event.target, event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Escape") {
    picker.querySelector(".ci-candidates").replaceChildren();
  }
});

// The browser's own history of typed values would cover the list.
for (const picker of document.querySelectorAll("[data-ci-picker]")) {
  pickerField(picker).autocomplete = "off";
}
