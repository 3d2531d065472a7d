export * from './market';
export * from './yield';
export * from './demand';
export * from './portfolio/iimmf';
