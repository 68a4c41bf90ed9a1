export default {
  root: "src",
  title: "Weblog Workbook",
  globalStylesheets: [],
};
