/**
 * A worker thread that ends at once without a word: what the caller of a
 * reading thread sees when that thread dies abnormally (reading-thread.test.ts).
 */
export {};
