// Placeholder: this example is being written (#5).
console.log('nats-subscriber: not written yet');
