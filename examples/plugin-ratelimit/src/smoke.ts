// Placeholder: this example is being written (#5).
console.log('plugin-ratelimit: not written yet');
