// Prototype.js 1.6 gave arrays a toJSON that returns a string (JSON.stringify then writes a
// string where an array was), and tag managers leave "headers" or "transform" on Object.prototype.
Array.prototype.toJSON = function () {
  let out = '';
  for (let i = 0; i < this.length; i++) out += (i ? ', ' : '') + String(this[i]);
  return `[${out}]`;
};
Object.prototype.headers = { 'X-Polluted': 'yes' };
Object.prototype.transform = function () {
  return { polluted: true };
};
