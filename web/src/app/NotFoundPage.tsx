import { Button, Result } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';

export function NotFoundPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t('common.notFound')}
      subTitle={t('common.notFoundHint')}
      extra={
        <Button type="primary" onClick={() => navigate('/workbench')}>
          {t('common.backHome')}
        </Button>
      }
    />
  );
}
