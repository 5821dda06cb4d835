export { openDatabase, type Db, type Queryable, type OpenOptions } from './driver.ts';
export { migrate, runSqlFile, splitStatements } from './migrate.ts';
