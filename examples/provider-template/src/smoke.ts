// Placeholder: this example is being written (#5).
console.log('provider-template: not written yet');
