#!/usr/bin/env node
console.log('sluice');
