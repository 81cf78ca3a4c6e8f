// The browser scripts' checks: one `ok - …` / `not ok - …` line each, and the count of failures.

export const result = { failed: 0 };

export async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    result.failed += 1;
    console.log(`not ok - ${name}\n${String(error.message ?? error).replace(/^/gm, '    ')}`);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
