// Placeholder: this example is being written (#5).
console.log('yaml-app: not written yet');
