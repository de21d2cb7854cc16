// Storage full (or Safari's private mode of old): reads work, every write throws.
Storage.prototype.setItem = function () {
  throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
};
