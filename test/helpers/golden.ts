export * from '../../src/golden/golden-set.ts';
