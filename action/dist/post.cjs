'use strict';
require('./action.cjs').runStep('post');
