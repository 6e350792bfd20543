// entra-signin: the only script the pages load (the CSP allows no inline script). Pages work
// without it; it adds copy buttons for ids.
document.querySelectorAll('button.copy[data-copy]').forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(button.dataset.copy).then(
      () => {
        button.textContent = 'Copied';
        setTimeout(() => (button.textContent = 'Copy'), 1500);
      },
      () => {
        button.textContent = 'Copy failed';
      },
    );
  });
});
