import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledExpression, ExpressionCache, ExpressionError, jsonataBoolean, toJson } from '../src/index.ts';

const LIMITS = { timeoutMs: 100, maxDepth: 200 };

async function failure(promise: Promise<unknown>): Promise<ExpressionError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the evaluation to fail');
}

function syntax(source: string): ExpressionError {
  try {
    new CompiledExpression(source, LIMITS);
  } catch (err) {
    assert.ok(err instanceof ExpressionError);
    return err;
  }
  assert.fail(`expected ${source} not to compile`);
}

describe('compiling', () => {
  it('reports syntax errors with jsonata position, token and message', () => {
    const bracket = syntax('items[0');
    assert.equal(bracket.kind, 'syntax');
    assert.equal(bracket.code, 'S0203');
    assert.equal(bracket.position, 7);
    assert.equal(bracket.message, 'syntax error at position 7: Expected "]" before end of expression');
    const word = syntax('foo bar');
    assert.equal(word.message, 'syntax error at position 7: Syntax error: "bar"');
    assert.equal(word.token, 'bar');
    assert.match(syntax('"abc').message, /^syntax error at position 4: String literal must be terminated by a matching quote$/);
    assert.match(syntax('{ "a": }').message, /^syntax error at position 8: The symbol "}" cannot be used as a unary operator$/);
  });

  it('turns an engine failure while parsing (deep nesting) into a syntax error, not a crash', () => {
    const deep = syntax(`${'('.repeat(20_000)}1${')'.repeat(20_000)}`);
    assert.equal(deep.kind, 'syntax');
    assert.match(deep.message, /^syntax error: .*call stack/i);
  });
});

describe('ExpressionCache', () => {
  it('compiles an expression text once, whoever asks for it', () => {
    const cache = new ExpressionCache(LIMITS, 10);
    const a = cache.get('data.amount > 100');
    assert.equal(cache.get('data.amount > 100'), a);
    assert.equal(cache.compilations, 1);
    assert.equal(cache.size, 1);
  });

  it('caches syntax errors too, so a bad stored expression is not re-parsed per event', () => {
    const cache = new ExpressionCache(LIMITS, 10);
    assert.throws(() => cache.get('a['), ExpressionError);
    assert.throws(() => cache.get('a['), /syntax error at position 2/);
    assert.equal(cache.compilations, 1);
  });

  it('is bounded and evicts the least recently used text', () => {
    const cache = new ExpressionCache(LIMITS, 2);
    const a = cache.get('a');
    cache.get('b');
    assert.equal(cache.get('a'), a); // a is now the most recent
    cache.get('c'); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), a);
    const compiled = cache.compilations;
    cache.get('b');
    assert.equal(cache.compilations, compiled + 1, 'b was evicted and compiles again');
  });
});

describe('evaluating', () => {
  it('evaluates against the event and gives plain JSON results', async () => {
    const expr = new CompiledExpression('{ "id": id, "total": $sum(data.items.price), "names": data.items.name }', LIMITS);
    const result = toJson(await expr.evaluate({ id: 'e1', data: { items: [{ price: 2, name: 'a' }, { price: 3, name: 'b' }] } }));
    assert.deepEqual(result, { id: 'e1', total: 5, names: ['a', 'b'] });
  });

  it('reports evaluation errors with jsonata code and position', async () => {
    const err = await failure(new CompiledExpression('data.name + 1', LIMITS).evaluate({ data: { name: 'x' } }));
    assert.equal(err.kind, 'evaluation');
    assert.equal(err.code, 'T2001');
    assert.match(err.message, /^The left side of the "\+" operator must evaluate to a number \(T2001 at position \d+\)$/);
    const unknown = await failure(new CompiledExpression('$nope(1)', LIMITS).evaluate({}));
    assert.match(unknown.message, /T1006/);
  });

  it('counts wall time, but evaluates once more when the process was not the one using it (descheduled, throttled)', async () => {
    // Runs before the heavy tests below, whose garbage keeps GC threads (process CPU) busy for a while.
    // $pause() waits on a timer: wall time passes while the process uses no CPU, as when it is descheduled.
    let pauses = 0;
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, pauses++ === 0 ? 400 : 0));
    const expr = new CompiledExpression('( $pause(); data.a )', { timeoutMs: 150, maxDepth: 200 });
    assert.equal(await expr.evaluate({ data: { a: 1 } }, { pause }), 1);
    assert.equal(pauses, 2, 'the first evaluation timed out and the second ran');
    const always = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await failure(expr.evaluate({ data: { a: 1 } }, { pause: always }))).kind, 'timeout', 'only once');
  });

  it('stops an infinite (tail) recursion by time, within the limit', async () => {
    const expr = new CompiledExpression('( $f := function($x){ $f($x) }; $f(1) )', { timeoutMs: 50, maxDepth: 200 });
    const started = performance.now();
    const err = await failure(expr.evaluate({}));
    const elapsed = performance.now() - started;
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, 'evaluation exceeded the time limit of 50 ms (is there an infinite loop?)');
    // Stopped, not hung: the bound is loose on purpose (no speed assertion), it only proves the loop ended.
    assert.ok(elapsed < 5_000, `stopped after ${elapsed} ms`);
  });

  it('stops a long loop by time', async () => {
    const expr = new CompiledExpression('$reduce([1..10000000], function($a, $b){ $a + $b })', { timeoutMs: 50, maxDepth: 200 });
    const err = await failure(expr.evaluate({}));
    assert.equal(err.kind, 'timeout');
    const mapped = await failure(new CompiledExpression('$sum([1..10000000].($ * 2))', { timeoutMs: 50, maxDepth: 200 }).evaluate({}));
    assert.equal(mapped.kind, 'timeout');
  });

  it('stops a runaway (non-tail) recursion by depth', async () => {
    const expr = new CompiledExpression('( $f := function($x){ 1 + $f($x) }; $f(1) )', { timeoutMs: 10_000, maxDepth: 200 });
    const err = await failure(expr.evaluate({}));
    assert.equal(err.kind, 'depth');
    assert.equal(err.message, 'evaluation exceeded the depth limit of 200 nested steps (is there a runaway recursion?)');
  });

  it('lets bounded recursion well within the depth limit run', async () => {
    const expr = new CompiledExpression('( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(50) )', LIMITS);
    assert.equal(await expr.evaluate({}), 50);
  });

  it('limits each evaluation on its own clock, also when they run concurrently', async () => {
    const runaway = new CompiledExpression('( $f := function($x){ $f($x) }; $f(1) )', { timeoutMs: 30, maxDepth: 200 });
    const quick = new CompiledExpression('data.a', { timeoutMs: 30, maxDepth: 200 });
    const [slow, fast] = await Promise.allSettled([runaway.evaluate({}), quick.evaluate({ data: { a: 1 } })]);
    assert.equal(slow.status, 'rejected');
    assert.deepEqual(fast, { status: 'fulfilled', value: 1 });
    // the same compiled expression, evaluated again, gets a fresh budget
    assert.equal((await failure(runaway.evaluate({}))).kind, 'timeout');
  });

  it('also stops a runaway expression run through $eval', async () => {
    const expr = new CompiledExpression('$eval("( $f := function($x){ $f($x) }; $f(1) )")', { timeoutMs: 30, maxDepth: 200 });
    assert.equal((await failure(expr.evaluate({}))).kind, 'timeout');
  });
});

describe('jsonataBoolean', () => {
  it('follows JSONata $boolean', () => {
    for (const value of [undefined, null, false, 0, '', [], {}, [0, ''], [[]], () => 1, { _jsonata_lambda: true, body: {} }]) assert.equal(jsonataBoolean(value), false, JSON.stringify(value));
    for (const value of [true, 1, -1, 'x', [1], [0, 1], { a: 1 }, [{ a: 1 }]]) assert.equal(jsonataBoolean(value), true, JSON.stringify(value));
  });
});

describe('toJson', () => {
  it('gives plain JSON values: prototypes, functions and undefined as JSON.stringify would', async () => {
    assert.equal(toJson(undefined), undefined);
    assert.equal(toJson(() => 1), undefined);
    assert.equal(toJson('s'), 's');
    const built = await new CompiledExpression('{ "a": 1, "b": [1, $x(), 3], "f": function(){ 1 }, "o": { "c": true } }', LIMITS).evaluate({}, { x: () => 2 });
    assert.equal(Object.getPrototypeOf(built), null, 'jsonata builds objects without a prototype');
    const value = toJson(built) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(Object.getPrototypeOf(value['o']), Object.prototype);
    assert.deepEqual(value, { a: 1, b: [1, 2, 3], o: { c: true } }, 'the lambda is dropped');
    const proto = toJson(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(proto), ['__proto__']);
    assert.equal((proto as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(toJson([1, undefined, () => 1]), [1, null, null]);
  });
});
