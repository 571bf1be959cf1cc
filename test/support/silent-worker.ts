/**
 * A worker thread that ends at once without a word: what the caller of a
 * reading thread sees when that thread dies abnormally (worker-snapshots.test.ts).
 */
export {};
