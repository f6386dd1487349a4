// Behaviour shared by every page; loaded as a file so the content security policy can forbid inline scripts.
(() => {
  // htmx requests carry the CSRF token the page was rendered with.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener('htmx:configRequest', event => {
    if (token) {
      event.detail.headers['X-CSRFToken'] = token.content;
    }
  });

  // <input type="checkbox" data-check-all="pick"> ticks or clears every input named "pick".
  document.querySelectorAll('input[data-check-all]').forEach(box => {
    box.addEventListener('click', () => {
      document.querySelectorAll(`input[name="${box.dataset.checkAll}"]`).forEach(c => { c.checked = box.checked; });
    });
  });

  // <input data-search-only> inside a form searches on Enter instead of submitting the form
  // (the CSM search of an assignment). Delegated: the box may come in an htmx fragment.
  document.body.addEventListener('keydown', event => {
    const box = event.target;
    if (event.key === 'Enter' && box.matches && box.matches('input[data-search-only]')) {
      event.preventDefault();
      if (window.htmx) { window.htmx.trigger(box, 'search'); }
    }
  });

  // <input data-select-on-click> selects its whole text when clicked (a token to copy).
  document.querySelectorAll('input[data-select-on-click]').forEach(input => {
    input.addEventListener('click', () => input.select());
  });
})();
