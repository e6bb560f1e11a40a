// The Jobs route chunk: both pages behind one dynamic import (SignedInLayout), so neither weighs on
// the first load.
export { JobPage } from './JobPage.tsx';
export { JobsPage } from './JobsPage.tsx';
