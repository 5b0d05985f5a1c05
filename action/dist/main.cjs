'use strict';
require('./action.cjs').runStep('main');
