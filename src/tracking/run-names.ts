import { randomInt } from 'node:crypto';

// A run without a name gets one in MLflow's style ("sedate-goose-15"), easier to say than a UUID.
const ADJECTIVES = ['able', 'agile', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'daring', 'eager', 'fair', 'fleet', 'gentle', 'glad', 'grand', 'honest', 'keen', 'kind', 'lively', 'lucid', 'merry', 'mellow', 'nimble', 'noble', 'patient', 'polite', 'proud', 'quick', 'quiet', 'rare', 'sedate', 'sharp', 'shy', 'silent', 'smart', 'steady', 'sunny', 'swift', 'tidy', 'vast', 'warm', 'wise', 'witty', 'zesty'];
const ANIMALS = ['ant', 'bass', 'bat', 'bee', 'bird', 'boar', 'carp', 'cat', 'colt', 'crab', 'crow', 'deer', 'doe', 'dove', 'eel', 'elk', 'finch', 'fox', 'frog', 'goat', 'goose', 'gull', 'hare', 'hawk', 'hen', 'jay', 'koi', 'lamb', 'lark', 'lynx', 'mink', 'mole', 'moth', 'mule', 'newt', 'owl', 'ox', 'panda', 'pig', 'ram', 'seal', 'shrew', 'slug', 'snail', 'swan', 'toad', 'trout', 'wasp', 'wolf', 'wren', 'yak'];

export function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${ANIMALS[randomInt(ANIMALS.length)]}-${randomInt(1000)}`;
}
