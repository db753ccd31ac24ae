export { TorchGenerator, torchSeedToMt } from './torch-generator.ts';
export { MT19937 } from './mt19937.ts';
