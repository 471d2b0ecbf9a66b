// Placeholder: this example is being written (#5).
console.log('custom-gateway: not written yet');
