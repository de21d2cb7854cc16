// Something else on the page already uses the name.
window.Sondar = { q: 'x' };
